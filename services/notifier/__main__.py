"""`python -m services.notifier`: run the notifier service."""

from services.notifier.main import bootstrap
from shared.kit.http.app import serve

if __name__ == "__main__":
    serve("notifier", bootstrap)
