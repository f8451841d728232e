-- POST /eligibility with anonymous facts (the wizard): one fixed body.
local body = '{"asOf": "2026-11-23", "facts": {"status": "employee", "sector": "private", '
  .. '"workplaceRegion": "flanders", "residenceRegion": "flanders", "employmentFraction": "0.80", '
  .. '"weeklyHours": "30.40", "educationLevel": "medium", "workExperienceMonths": 120, '
  .. '"careerGuidanceCompletedOn": "2024-02-10", "careerVouchersUsed": 0, "employerFte": "45", '
  .. '"receivesUnemploymentBenefit": false, "contractType": "regular", "agencyWorker": false, '
  .. '"sideSelfEmployed": false, "livesAlone": false, '
  .. '"timeCredit": {"regime": "full", "motive": "training", "priorYearWorkFraction": "1.00"}}}'

function init(args)
  load_common(args)
end

function request()
  return wrk.format("POST", "/eligibility", headers(), body)
end

function response(status)
  count("status" .. status)
end
