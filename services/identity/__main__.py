from services.identity.main import bootstrap
from shared.kit.runtime import serve

serve("identity", bootstrap)
