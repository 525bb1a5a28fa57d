// collect: placeholder executable until the stage lands.
print("collect: not built yet")
