from services.complaints.main import bootstrap
from shared.kit.runtime import serve

serve("complaints", bootstrap)
