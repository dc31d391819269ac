UNWIND [1, 2, 3] AS x
UNWIND range(1, x) AS y
RETURN x, y
