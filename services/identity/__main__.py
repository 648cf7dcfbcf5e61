from services.identity.main import bootstrap
from shared.kit.http.app import serve

serve("identity", bootstrap)
