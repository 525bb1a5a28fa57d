print("report: not built yet")
