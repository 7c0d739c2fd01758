"""Life events, rules, proxy services and admission (准入)."""
