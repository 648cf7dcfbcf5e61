from services.portal.main import bootstrap
from shared.kit.http.app import serve

serve("portal", bootstrap)
