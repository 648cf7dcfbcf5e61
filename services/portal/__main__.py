from services.portal.main import bootstrap
from shared.kit.runtime import serve

serve("portal", bootstrap)
