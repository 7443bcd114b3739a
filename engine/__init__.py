"""The controller: Asterisk clients, campaign runner, store, compliance and configuration."""
