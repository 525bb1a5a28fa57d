VALUE plain 0 5 11
hello
VALUE pickled 1 19 12
(dp0
Vk
p1
Vv
p2
s.
VALUE counter 2 2 13
17
END
