import { EyeInvisibleOutlined, EyeOutlined } from "@ant-design/icons";
import { Button, Space } from "antd";
import { useState } from "react";

import { isMasked, maskPhone } from "../lib/mask";

/** A phone number shown masked until asked (screens in the field are read over shoulders);
 * a number the API masked stays masked. */
export function Phone({ phone }: { phone: string }) {
  const [shown, setShown] = useState(false);
  if (isMasked(phone)) return <span>{phone}</span>;
  return (
    <Space size={2}>
      {shown ? <a href={`tel:${phone}`}>{phone}</a> : <span>{maskPhone(phone)}</span>}
      <Button
        type="link"
        size="small"
        aria-label={shown ? "隐藏号码" : "显示号码"}
        icon={shown ? <EyeInvisibleOutlined /> : <EyeOutlined />}
        onClick={() => setShown((s) => !s)}
      />
    </Space>
  );
}
