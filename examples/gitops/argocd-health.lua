-- Argo CD health check for atomoperator.io/Atom.
-- The operator writes only status; this reads its standard conditions.
-- Degraded wins over everything (a rolled-back Atom may still be Ready), then
-- Progressing, then Ready. Until the operator has seen the latest spec
-- (status.observedGeneration < metadata.generation) the Atom is Progressing.
local hs = {}

local function condition(conditions, type)
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the Atom's status"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to act on the latest spec"
  return hs
end

local conditions = obj.status.conditions
local degraded = condition(conditions, "Degraded")
local progressing = condition(conditions, "Progressing")
local ready = condition(conditions, "Ready")

if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded, "The Atom is degraded")
elseif progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(progressing, "The Atom is being updated")
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "The Atom is ready")
else
  hs.status = "Progressing"
  hs.message = describe(ready, "Waiting for the Atom to become Ready")
end
return hs
