from services.rights.main import bootstrap
from shared.kit.http.app import serve

serve("rights", bootstrap)
