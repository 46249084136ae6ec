"""Renders docs/rpc.md from the node's OpenRPC document (rpc_discover).
The e2e test compares the file with a live node's document, so the reference
cannot drift; `VT_UPDATE_DOCS=1` makes that test rewrite the file instead."""
import json


def render(doc):
    out = ["# JSON-RPC reference", "",
           "Generated from `rpc_discover` (the same table the server dispatches from); "
           "a test keeps this file equal to it. Transport, limits and error codes: "
           "[rpc-protocol.md](rpc-protocol.md). Amounts are decimal strings of uvt.", ""]
    for m in doc["methods"]:
        out.append(f"## `{m['name']}`")
        out.append("")
        out.append(m.get("summary", ""))
        out.append("")
        params = m.get("params", [])
        if params:
            out.append("| param | type | required | description |")
            out.append("| --- | --- | --- | --- |")
            for p in params:
                schema = json.dumps(p.get("schema", {}), sort_keys=True)
                out.append(f"| `{p['name']}` | `{schema}` | {'yes' if p.get('required') else 'no'} | "
                           f"{p.get('description', '')} |")
        else:
            out.append("No parameters.")
        out.append("")
        res = m.get("result", {})
        out.append(f"Result `{res.get('name', '')}`: `{json.dumps(res.get('schema', {}), sort_keys=True)}`")
        out.append("")
    return "\n".join(out)
