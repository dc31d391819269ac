RETURN 'بيانات' AS x, )
