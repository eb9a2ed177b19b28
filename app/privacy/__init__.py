"""Privacy by design: the registry of personal data, retention and the data-subject export."""
