"""The nopCommerce app: its App_Data settings across versions, its container, its start-up log."""
