RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x * x], [x IN l WHERE x > 1], [x IN l | x.name], [y IN [x IN l | x] | y + 1]
