export { projectRoot } from '../../common/project-package';
