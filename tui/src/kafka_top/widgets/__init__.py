"""kafka-top's own widgets; each carries its scoped CSS."""

from kafka_top.widgets.context_bar import ContextBar
from kafka_top.widgets.filter_bar import FilterBar
from kafka_top.widgets.status_line import StatusLine

__all__ = ["ContextBar", "FilterBar", "StatusLine"]
