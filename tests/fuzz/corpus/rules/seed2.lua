field { id = "ZZ", name = "Z" }
for i = 1, 10 do end
