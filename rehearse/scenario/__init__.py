"""Scenario files: the only YAML reader. YAML becomes frozen, typed models; nothing past this
package sees a dict. Errors name the file, the line, the key path and what is expected."""

from rehearse.scenario.models import (
    Admin,
    Attach,
    Certificate,
    Checks,
    History,
    Images,
    Limits,
    Report,
    ReportFormat,
    Scenario,
    Store,
    StoreDiff,
    Timeouts,
    Upgrade,
    Window,
    json_schema,
)
from rehearse.scenario.reading import load

__all__ = ["Admin", "Attach", "Certificate", "Checks", "History", "Images", "Limits", "Report",
           "ReportFormat", "Scenario", "Store", "StoreDiff", "Timeouts", "Upgrade", "Window",
           "json_schema", "load"]
