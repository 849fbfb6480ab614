"""The airing report (晾晒通报) of a period: its queries, data, tables, charts, workbook and markdown."""
