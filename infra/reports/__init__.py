"""The airing report (晾晒通报) of a period, rendered as a workbook, markdown and charts."""
