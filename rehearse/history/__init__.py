"""The run history: every rehearsal recorded, compared with the ones before it."""
