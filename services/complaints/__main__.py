from services.complaints.main import bootstrap
from shared.kit.http.app import serve

serve("complaints", bootstrap)
