"""kafka-top's screens, one per file: the views (groups, health, acls, topics), their drill-downs,
and the dialogs."""
