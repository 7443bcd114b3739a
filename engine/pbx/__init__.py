"""Running Asterisk: rendering its configuration and managing its container."""
