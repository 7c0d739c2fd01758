"""Cases (事件/案件) from every channel through the closed loop, with working-time deadlines."""
