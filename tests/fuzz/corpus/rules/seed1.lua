criterion { id = "JF-99", field = "JF", theme = "Droit coopératif", level = "advised", statement = "Un critère" }
