# HEDIS-style quality measures as they appear in stratified measure tables. Codes follow
# NCQA's HEDIS abbreviations. A measure's rate is a percent: the numerator (members who got
# the care) over the denominator (members eligible for it). A contract takes the measures
# it pays on with `measure CODE from hedis weight ...`, and may add a minimum denominator of
# its own (`minimum denominator 30`); the standard library's metrics leave out any group
# whose denominator is 0 or below that minimum, saying so in the trace.

## Colorectal cancer screening: adults 45-75 with an appropriate screening test
## (colonoscopy, sigmoidoscopy, CT colonography or a stool test) in its look-back period.
measure COL "Colorectal cancer screening" higher is better

## Controlling high blood pressure: adults 18-85 with hypertension whose most recent blood
## pressure was below 140/90 mm Hg.
measure CBP "Controlling high blood pressure" higher is better

## HbA1c poor control: adults 18-75 with diabetes whose most recent HbA1c was above 9% (or
## missing). A lower rate is better.
measure HBD "HbA1c poor control (> 9%)" lower is better

## HbA1c control: adults 18-75 with diabetes whose most recent HbA1c was below 8%.
measure HBD8 "HbA1c control (< 8%)" higher is better

## Child and adolescent well-care visits: members 3-21 with at least one comprehensive
## well-care visit in the year, all ages together.
measure WCV "Child and adolescent well-care visits" higher is better

## Well-care visits, ages 3-11: the WCV measure for its youngest reporting age band.
measure WCV_3_11 "Well-care visits, ages 3-11" higher is better

## Well-care visits, ages 12-17: the WCV measure for adolescents.
measure WCV_12_17 "Well-care visits, ages 12-17" higher is better

## Well-care visits, ages 18-21: the WCV measure for young adults still in pediatric care.
measure WCV_18_21 "Well-care visits, ages 18-21" higher is better

## Well-child visits in the first 30 months of life, its first rate: six or more well-child
## visits by the age of 15 months.
measure W30 "Well-child visits in the first 30 months (6+ by 15 months)" higher is better

## Prenatal and postpartum care, timeliness of prenatal care: a prenatal visit in the first
## trimester or within 42 days of enrollment, for live births in the year.
measure PPC "Prenatal and postpartum care: timeliness of prenatal care" higher is better

## Prenatal and postpartum care, postpartum care: a postpartum visit 7-84 days after
## delivery.
measure PPCPOST "Prenatal and postpartum care: postpartum care" higher is better

## Breast cancer screening: women 50-74 with a mammogram in the past two years.
measure BCS "Breast cancer screening" higher is better

## Cervical cancer screening: women 21-64 screened by the appropriate method and interval.
measure CCS "Cervical cancer screening" higher is better

## Childhood immunization status, combination 10: every recommended vaccine by the second
## birthday.
measure CIS "Childhood immunization status (combination 10)" higher is better

## Immunizations for adolescents, combination 2: meningococcal, Tdap and the HPV series by
## the thirteenth birthday.
measure IMA "Immunizations for adolescents (combination 2)" higher is better

## Eye exam for patients with diabetes: a retinal eye exam in the year (or a negative one
## the year before).
measure EED "Eye exam for patients with diabetes" higher is better

## Kidney health evaluation for patients with diabetes: both an eGFR and a urine
## albumin-creatinine ratio in the year.
measure KED "Kidney health evaluation for patients with diabetes" higher is better

## Follow-up after an emergency department visit for mental illness: a follow-up visit
## within 7 days.
measure FUM "Follow-up after ED visit for mental illness (7 days)" higher is better

## Chlamydia screening: sexually active women 16-24 tested for chlamydia in the year.
measure CHL "Chlamydia screening in women" higher is better
