"""Rehearse a nopCommerce upgrade in disposable containers."""
