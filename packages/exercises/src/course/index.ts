export * from "./schema";
export { loadCourseFolder, validateCourseFolder, type CourseValidation } from "./load";
export { writeCourseFolder } from "./write";
export { assignmentExercise } from "./resolve";
export { demoCourseDir } from "./demo";
export { courseJsonSchemas, schemaText } from "./json-schema";
export { scaffoldAssignment, scaffoldCourse } from "./scaffold";
export { lateness, type Lateness } from "./late";
