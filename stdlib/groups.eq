# Stratification templates: the standard categories of race and ethnicity, and other ways of
# grouping members, spelled as stratified measure tables spell them. A template reads no
# table by itself; a contract takes one with `stratification NAME from groups.TEMPLATE` and
# may replace any of its lines (`groups`, `reference`, `focus`, `ordered`). Groups missing
# from a table count as having no members, so the metrics leave them out as not scored.

## Race under the 1997 OMB standard, its five minimum categories. Ethnicity is a separate
## question under this standard: take `omb1997_ethnicity` as a second stratification for it.
stratification omb1997_race "Race (OMB 1997)"
  groups "American Indian or Alaska Native" as AIAN, Asian,
    "Black or African American" as Black,
    "Native Hawaiian or Other Pacific Islander" as NHPI, White
  reference White
end

## Hispanic or Latino ethnicity under the 1997 OMB standard, asked apart from race.
stratification omb1997_ethnicity "Ethnicity (OMB 1997)"
  groups "Hispanic or Latino" as Hispanic, "Not Hispanic or Latino" as NotHispanic
  reference NotHispanic
end

## Race and ethnicity under OMB's 2024 revision of SPD 15, due by 2029. One combined
## question with seven minimum categories, Hispanic or Latino and Middle Eastern or North
## African among them.
stratification spd15 "Race and ethnicity (OMB SPD 15, 2024)"
  groups "American Indian or Alaska Native" as AIAN, Asian,
    "Black or African American" as Black, "Hispanic or Latino" as Hispanic,
    "Middle Eastern or North African" as MENA,
    "Native Hawaiian or Pacific Islander" as NHPI, White
  reference White
end

## Race as NCQA stratifies HEDIS measures, with Unknown and Declined kept apart. The five
## OMB races, some other race, two or more races, and two categories for members without a
## race: Declined (asked, and chose not to answer) and Unknown (nothing recorded). The focus
## groups are the four OMB races besides White, so Unknown and Declined are reported but
## never paid on; their size tells how complete the data is.
stratification ncqa_race "Race (NCQA-style, Unknown and Declined apart)"
  groups "American Indian or Alaska Native" as AIAN, Asian,
    "Black or African American" as Black,
    "Native Hawaiian or Other Pacific Islander" as NHPI, White,
    "Some other race" as OtherRace, "Two or more races" as Multiracial,
    "Asked but no answer" as Declined, Unknown
  reference White
  focus AIAN, Asian, Black, NHPI
end

## Ethnicity as NCQA stratifies HEDIS measures, with its own Declined and Unknown groups.
## They are spelled apart from those of `ncqa_race`, so a contract can take both.
stratification ncqa_ethnicity "Ethnicity (NCQA-style, Unknown and Declined apart)"
  groups "Hispanic or Latino" as Hispanic, "Not Hispanic or Latino" as NotHispanic,
    "Ethnicity asked but no answer" as EthnicityDeclined,
    "Ethnicity unknown" as EthnicityUnknown
  reference NotHispanic
  focus Hispanic
end

## Members with a social risk factor, compared with everyone else, as in the Medicare
## Advantage Health Equity Index: dual eligibility for Medicare and Medicaid, the low-income
## subsidy, or disability.
stratification social_risk "Social risk factors"
  groups "Social risk factor" as SocialRisk
  reference rest of population
end

## Underserved members, compared with everyone else, as in the Medicare Shared Savings
## Program's health equity adjustment: dually eligible, receiving the low-income subsidy, or
## living in a high-deprivation neighborhood.
stratification underserved "Underserved members"
  groups "Underserved" as Underserved
  reference rest of population
end

## Members whose preferred language is not English, compared with everyone else.
stratification language "Preferred language"
  groups "Language other than English" as NonEnglish
  reference rest of population
end

## Household income quintiles, from the fifth of members with the lowest incomes to the fifth
## with the highest: an ordered dimension, the lowest quintile the least advantaged, for the
## measures of a gradient (`gradient`). The reference is the highest quintile.
stratification income_quintiles "Household income quintile"
  groups "Income quintile 1 (lowest)" as Income1, "Income quintile 2" as Income2,
    "Income quintile 3" as Income3, "Income quintile 4" as Income4,
    "Income quintile 5 (highest)" as Income5
  ordered least advantaged first
  reference Income5
end

## Neighborhood deprivation quintiles: members by the fifth of an area deprivation index
## their neighborhood falls in, listed from the least deprived fifth to the most deprived,
## so that the most advantaged come first. The reference is the least deprived quintile.
stratification deprivation_quintiles "Neighborhood deprivation quintile"
  groups "Least deprived quintile" as Deprivation1,
    "Deprivation quintile 2" as Deprivation2, "Deprivation quintile 3" as Deprivation3,
    "Deprivation quintile 4" as Deprivation4, "Most deprived quintile" as Deprivation5
  ordered most advantaged first
  reference Deprivation1
end
