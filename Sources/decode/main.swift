// decode: placeholder executable until the stage lands.
print("decode: not built yet")
