MATCH (p:Person)
WHERE 'بريتاني كايزر' IN p.aka OR p.name = 'Brittany Kaiser'
RETURN p.name AS الاسم, 'كامبريدج أناليتيكا' AS company, '🐉 Dragon Coin' AS coin
