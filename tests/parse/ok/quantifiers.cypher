RETURN all(x IN l WHERE x > 0), any(x IN l WHERE x = 1), none(x IN l WHERE x IS NULL), single(x IN l WHERE x = 2), ANY(x IN l)
