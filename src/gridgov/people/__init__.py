"""Population, housing and organisation base (实有人口 / 实有房屋 / 实有单位)."""
