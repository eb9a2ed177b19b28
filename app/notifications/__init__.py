"""In-app inbox and the transactional e-mail outbox."""
