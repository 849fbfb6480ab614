"""Words a person reads that issue 17 (personal data, reads, defects) added: one place, so the
message catalogue (zh-CN first, GLOSSARY.md wording) can take them over whole."""

from __future__ import annotations

# espcrm import enterprises … --dry-run
DRY_RUN_NOTHING_WRITTEN = "试运行（--dry-run）：未写入任何数据；报告列出了每一行将如何处理。"

# The district league table (区县晾晒)
INSUFFICIENT_SAMPLE = "样本不足"
UNRANKED = "不参与排名"
