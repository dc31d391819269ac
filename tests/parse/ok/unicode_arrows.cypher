MATCH (a)‐[r]‐⟩(b)⟨——(c)−−(d)－－＞(e) RETURN a
