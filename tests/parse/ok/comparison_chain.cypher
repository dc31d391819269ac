RETURN 1 < 2 <= 3, a = b <> c > d >= e, (a = b) = c, a = (b = c)
