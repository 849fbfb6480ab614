import { IssueList } from "../../components/IssueList";
import { PageTitle } from "../../components/common";

/** 回访评价: approved closures waiting for the enterprise's verdict. */
export default function Evaluation() {
  return (
    <>
      <PageTitle title="回访评价">
        审核通过的诉求，回访企业后记录评价：满意、基本满意则关闭，不满意则退回重办。（审核通过7日后仍未评价的“超期未评价关闭”，接口暂未提供，需在服务端处理。）
      </PageTitle>
      <IssueList filter={{ status: ["AWAITING_EVALUATION"] }} columns={["source", "category", "department", "resolvedAt"]} emptyText="没有待回访评价的诉求" />
    </>
  );
}
