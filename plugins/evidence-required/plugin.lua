-- evidence-required : un critère obligatoire ne peut être déclaré
-- « satisfait » sans au moins une preuve (référence de document).

plugin {
  name = "evidence-required",
  version = "1.0.0",
  description = "Refuse « satisfait » sur un critère obligatoire sans preuve",
  priority = 10,
  settings = {},
  hooks = {
    validate_answer = function(criterion, answer)
      if criterion.level == "mandatory" and answer.status == "met"
          and #(answer.evidence or {}) == 0 then
        return string.format("Le critère obligatoire %s ne peut être déclaré satisfait sans "
          .. "preuve : indiquez au moins une référence de document.", criterion.id)
      end
      return nil
    end,
  },
}
