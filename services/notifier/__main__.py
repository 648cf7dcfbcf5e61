"""`python -m services.notifier`: run the notifier service."""

from services.notifier.main import bootstrap
from shared.kit.runtime import serve

if __name__ == "__main__":
    serve("notifier", bootstrap)
