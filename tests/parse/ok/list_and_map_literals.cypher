RETURN [], [1, 'two', 3.0, null, true, false], [[1], [2, [3]]], {}, {name: 'x', nested: {k: [1, 2]}, `odd key`: 1, match: 2}
