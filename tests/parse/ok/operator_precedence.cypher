RETURN 1 + 2 * 3 - 4 / 5 % 6 ^ 2 ^ 3, (1 + 2) * 3, 2 ^ (3 ^ 2), a OR b XOR c AND NOT d, (a OR b) AND c, NOT (a AND b), a - (b - c), a - b - c
