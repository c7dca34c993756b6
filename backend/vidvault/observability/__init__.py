"""What operators see: Prometheus metrics and one log line per request."""
