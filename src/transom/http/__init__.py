"""Sans-IO HTTP rules: headers, cookies, URLs. Standard library only; no I/O."""
