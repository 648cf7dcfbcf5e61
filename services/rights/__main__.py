from services.rights.main import bootstrap
from shared.kit.runtime import serve

serve("rights", bootstrap)
