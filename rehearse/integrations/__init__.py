"""Ticket systems (rehearse attach) and CI pipelines (rehearse ci), one module per service."""
