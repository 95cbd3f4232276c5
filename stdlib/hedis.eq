# HEDIS-style quality measures as they appear in stratified measure tables.
# Codes follow NCQA's HEDIS abbreviations; a contract picks the ones it pays on with
# `measure CODE from hedis weight ...` and may add a minimum denominator of its own.

## Colorectal cancer screening: adults 45-75 with an appropriate screening test.
measure COL "Colorectal cancer screening" higher is better

## Controlling high blood pressure: adults 18-85 with hypertension whose last reading was
## below 140/90.
measure CBP "Controlling high blood pressure" higher is better

## HbA1c poor control: adults with diabetes whose last HbA1c was above 9%. A lower rate is
## better.
measure HBD "HbA1c poor control (> 9%)" lower is better

## HbA1c control: adults with diabetes whose last HbA1c was below 8%.
measure HBD8 "HbA1c control (< 8%)" higher is better

## Child and adolescent well-care visits: members 3-21 with at least one well-care visit.
measure WCV "Child and adolescent well-care visits" higher is better

## Prenatal and postpartum care: timeliness of prenatal care for deliveries in the year.
measure PPC "Prenatal and postpartum care: timeliness of prenatal care" higher is better

## Postpartum care: a postpartum visit 7-84 days after delivery.
measure PPCPOST "Prenatal and postpartum care: postpartum care" higher is better

## Breast cancer screening: women 50-74 with a mammogram in the past two years.
measure BCS "Breast cancer screening" higher is better

## Cervical cancer screening: women 21-64 screened by the appropriate method and interval.
measure CCS "Cervical cancer screening" higher is better

## Childhood immunization status, combination 10, by the second birthday.
measure CIS "Childhood immunization status (combination 10)" higher is better

## Immunizations for adolescents, combination 2, by the thirteenth birthday.
measure IMA "Immunizations for adolescents (combination 2)" higher is better

## Eye exam for patients with diabetes.
measure EED "Eye exam for patients with diabetes" higher is better

## Kidney health evaluation for patients with diabetes.
measure KED "Kidney health evaluation for patients with diabetes" higher is better

## Follow-up after emergency department visit for mental illness, within 7 days.
measure FUM "Follow-up after ED visit for mental illness (7 days)" higher is better
