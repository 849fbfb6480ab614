import { Button, Space, Typography } from "antd";

import { type CursorPages, pageSummary } from "../lib/pagination";

export function CursorPager({
  pages,
  total,
  size,
  hasNext,
  onPrevious,
  onNext,
}: {
  pages: CursorPages;
  total: number;
  size: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <Space style={{ marginTop: 16, justifyContent: "flex-end", width: "100%" }} wrap>
      <Typography.Text type="secondary">{pageSummary(pages, total, size)}</Typography.Text>
      <Button onClick={onPrevious} disabled={pages.index === 0}>
        上一页
      </Button>
      <Button onClick={onNext} disabled={!hasNext}>
        下一页
      </Button>
    </Space>
  );
}
